export * from './patient-profile';
export * from './search-patients';
/** The mizaj types a search filters by (the web page's filter list). */
export { MIZAJ_TYPES, type MizajType } from '@/lib/db/schema';
