export * from './patient-profile';
export * from './search-patients';
