import { OrdersSchema1764072100000 } from './migrations/1764072100000-orders-schema';
import { Order } from './orders/order.entity';

/** Migrations of the orders service's own tables; the library's run first. */
export const PRODUCER_MIGRATIONS = [OrdersSchema1764072100000];
export const PRODUCER_ENTITIES = [Order];
