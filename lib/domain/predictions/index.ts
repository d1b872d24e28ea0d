export * from './predict-for-diagnosis';
export * from './optimize-effectiveness';
export * from './similar-patients';
