export * from './feedback-summary';
export * from './submit-feedback';
