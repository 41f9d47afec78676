import { EventRoutes } from './event-routes';

describe('EventRoutes (AMQP topic matching)', () => {
  const routes = new EventRoutes<string>();
  routes.add('order.created', 'exact');
  routes.add('order.*', 'star');
  routes.add('audit.#', 'hash');
  routes.add('#.deleted', 'tail');

  it.each([
    ['order.created', 'exact'],
    ['order.paid', 'star'],
    ['audit', 'hash'],
    ['audit.a.b.c', 'hash'],
    ['user.profile.deleted', 'tail'],
    ['deleted', 'tail'],
  ])('routes %s to %s', (key, route) => expect(routes.match(key)).toBe(route));

  it.each(['order', 'order.paid.late', 'invoice.created', ''])('matches nothing for %p', (key) =>
    expect(routes.match(key)).toBeUndefined(),
  );
});
