export * from './test-services';
export * from './isolated-database';
export * from './isolated-vhost';
export * from './isolated-redis';
export * from './test-namespace';
export * from './wait-for';
export * from './child-app';
export * from './broker-control';
