import { BillingLedgerEntry } from './billing/billing-ledger.entity';
import { BillingSchema1764072200000 } from './migrations/1764072200000-billing-schema';

/** Migrations of the billing service's own tables; the library's run first. */
export const CONSUMER_MIGRATIONS = [BillingSchema1764072200000];
export const CONSUMER_ENTITIES = [BillingLedgerEntry];
