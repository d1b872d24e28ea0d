import { notFound } from 'next/navigation';

/**
 * Unknown paths render this locale's not-found page on demand, inside the layout, instead of Next's
 * prerendered /_not-found: a prerendered page carries no CSP nonce, so its scripts would be blocked.
 */
export default function UnknownPage() {
  notFound();
}
