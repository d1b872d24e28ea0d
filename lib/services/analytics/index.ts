export * from './recommendation-analytics';
