import type { CpuCost } from '../cpu-meter';

/**
 * Names what the subject path costs beyond the baseline, process by process, largest first: the note a
 * missed goal carries, read from the cost model rather than guessed.
 */
export function costNote(cpu: { baseline: CpuCost; subject: CpuCost }): string {
  const roles = Object.keys(cpu.subject).filter((role) => role !== 'total');
  const extra = roles
    .map((role) => ({ role, delta: (cpu.subject[role] ?? 0) - (cpu.baseline[role] ?? 0) }))
    .filter((e) => !Number.isNaN(e.delta))
    .sort((a, b) => b.delta - a.delta);
  const parts = extra.map((e) => `${e.role} ${e.delta >= 0 ? '+' : ''}${e.delta.toFixed(1)}`);
  return (
    `CPU per message ${cpu.subject.total.toFixed(1)} µs vs ${cpu.baseline.total.toFixed(1)} µs ` +
    `(${(cpu.subject.total / cpu.baseline.total).toFixed(2)}×); per process, subject − baseline: ${parts.join(', ')} µs. ` +
    'On 2 shared CPUs the rate follows the total.'
  );
}
