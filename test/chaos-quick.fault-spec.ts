import { ChaosSuite } from '../chaos/chaos-suite';

// `npm run chaos -- --quick` inside `npm test`: a broker SIGKILL, relay claims cut from MariaDB, a consumer
// SIGKILL and a consumer blackholed from RabbitMQ (chaos/net), 2,000 events.
describe('chaos, quick scenario', () => {
  it('loses, duplicates, reorders and invents nothing across process and network faults', async () => {
    const lines: string[] = [];
    const suite = new ChaosSuite({ mode: 'quick', log: (line) => lines.push(line) });

    const report = await suite.run();

    const run = report.runs[0];
    expect(run.faults.map((f) => [f.kind, f.error])).toEqual([
      ['rabbitmq-kill', undefined],
      ['relay-mariadb-cut-claim', undefined],
      ['consumer-kill', undefined],
      ['consumer-rabbitmq-blackhole', undefined],
    ]);
    expect(run.verdict.sent).toBeGreaterThanOrEqual(2000);
    expect({
      lost: report.lost,
      duplicates: report.duplicates,
      orderViolations: report.orderViolations,
      phantoms: report.phantoms,
      outboxPending: run.verdict.outboxPending,
      queuedMessages: run.verdict.queuedMessages,
      poisonMissing: run.verdict.poisonMissing,
      quiesced: run.quiesced,
      alertsMissing: [...run.alerts.missingFirst, ...run.alerts.missingDigest],
    }).toEqual({
      lost: 0,
      duplicates: 0,
      orderViolations: 0,
      phantoms: 0,
      outboxPending: 0,
      queuedMessages: 0,
      poisonMissing: 0,
      quiesced: true,
      alertsMissing: [],
    });
    expect(run.alerts.classes).toBeGreaterThan(0);
    expect(report.failures).toEqual([]);
  }, 300_000);
});
