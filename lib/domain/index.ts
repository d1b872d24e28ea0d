export * from './recommendations';
export * from './analytics';
export * from './feedback';
export * from './predictions';
export * from './trending';
export * from './patients';
export * from './stats';
export { parseOrThrow } from './shared/validation';
