export * from './get-recommendation';
export * from './update-recommendation';
