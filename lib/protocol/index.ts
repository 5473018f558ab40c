export * from './errors';
export * from './events';
export * from './schemas';
export * from './types';
