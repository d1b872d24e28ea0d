export * from './feedback-summary';
export * from './submit-feedback';
export * from './get-feedback';
