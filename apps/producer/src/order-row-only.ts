/**
 * The baseline of the write-path benchmark (bench/scenarios/write-path.scenario.ts): with
 * `BENCH_WRITE_PATH=order-row-only`, POST /orders commits the order row alone and the relay is off;
 * with `outbox-no-relay`, it commits the order row and its outbox row with the relay off (to split the
 * relay's share of the CPU from the outbox row's). Read only by the bench; never set it in a
 * deployment: orders would then publish no events.
 */
const mode = process.env.BENCH_WRITE_PATH ?? '';

export const ORDER_ROW_ONLY = mode === 'order-row-only';
export const RELAY_OFF = ORDER_ROW_ONLY || mode === 'outbox-no-relay';
