/** Migrations of the billing service's own tables; the library's run first. */
export const CONSUMER_MIGRATIONS: Array<new () => object> = [];
export const CONSUMER_ENTITIES: Array<new () => object> = [];
