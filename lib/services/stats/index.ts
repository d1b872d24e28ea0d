export * from './get-counts';
