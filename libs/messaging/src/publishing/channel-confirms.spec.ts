import { ChannelConfirms } from './channel-confirms';

describe('ChannelConfirms', () => {
  const setUp = () => {
    const answers: string[] = [];
    const confirms = new ChannelConfirms<string>((publish, error) =>
      answers.push(error ? `${publish}:${error.message}` : publish),
    );
    return { answers, confirms };
  };

  it('answers each delivery tag once, out of order, and a multiple ack every earlier tag still open', () => {
    const { answers, confirms } = setUp();
    ['m1', 'm2', 'm3', 'm4', 'm5'].forEach((m) => confirms.push(m));
    confirms.confirm(3, false, null);
    confirms.confirm(3, false, null);
    confirms.confirm(4, true, null);
    expect(answers).toEqual(['m3', 'm1', 'm2', 'm4']);
    expect(confirms.held).toBe(1);
    confirms.confirm(5, false, new Error('message nacked'));
    expect(answers).toEqual(['m3', 'm1', 'm2', 'm4', 'm5:message nacked']);
    expect(confirms.held).toBe(0);
  });

  it('ignores tags it never handed out or already passed', () => {
    const { answers, confirms } = setUp();
    confirms.push('m1');
    confirms.confirm(2, true, null);
    confirms.confirm(0, false, null);
    expect(answers).toEqual([]);
    confirms.confirm(1, false, null);
    confirms.confirm(1, true, null);
    expect(answers).toEqual(['m1']);
  });

  it('keeps counting tags across compactions', () => {
    const { answers, confirms } = setUp();
    for (let i = 1; i <= 3000; i++) confirms.push(`m${i}`);
    confirms.confirm(2500, true, null);
    expect(answers).toHaveLength(2500);
    expect(confirms.held).toBe(500);
    confirms.push('m3001');
    confirms.confirm(3001, false, null);
    confirms.confirm(2501, false, null);
    expect(answers.slice(2500)).toEqual(['m3001', 'm2501']);
    expect(confirms.held).toBe(500);
  });

  it('answers every open publish with the error when the channel closes, and nothing after', () => {
    const { answers, confirms } = setUp();
    ['m1', 'm2', 'm3'].forEach((m) => confirms.push(m));
    confirms.confirm(2, false, null);
    confirms.close(new Error('channel closed'));
    confirms.confirm(3, false, null);
    expect(answers).toEqual(['m2', 'm1:channel closed', 'm3:channel closed']);
    expect(confirms.held).toBe(0);
  });
});
