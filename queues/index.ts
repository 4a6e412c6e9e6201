/** The producer side of the fleet: contracts, connections, the producer and the typed client. */
export * from './names';
export * from './jobs';
export * from './registry';
export * from './connection';
export * from './producer';
export * from './client';
