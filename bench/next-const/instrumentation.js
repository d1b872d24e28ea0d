// Without a hook of its own, Next's build (Turbopack, rooted at the repository for its node_modules) takes the
// product's instrumentation.ts into this app, and the peer would start the product's whole background work at
// run time. Next's ceiling runs nothing of ours.
export function register() {}
