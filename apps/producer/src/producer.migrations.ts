/** Migrations of the orders service's own tables; the library's run first. */
export const PRODUCER_MIGRATIONS: Array<new () => object> = [];
export const PRODUCER_ENTITIES: Array<new () => object> = [];
