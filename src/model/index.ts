export * from './config.ts';
export * from './snapshot.ts';
export * from './evidence.ts';
