export * from './outcome.ts';
export * from './task.ts';
export * from './run-event.ts';
