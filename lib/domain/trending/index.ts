export * from './get-trending';
