import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { ClientProxy } from '@nestjs/microservices';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { lastValueFrom } from 'rxjs';
import { DataSource } from 'typeorm';
import { OutboxRecordBuilder, OutboxService } from '@app/messaging';
import { ORDER_ROW_ONLY } from '../order-row-only';
import type { CreateOrderDto } from './create-order.dto';
import { Order } from './order.entity';
import { ORDER_EVENTS_CLIENT, orderEvent } from './order-events';
import { ORDER_CREATED, OrderAction, OrderEventType, transitionFor } from './order-state-machine';

/**
 * Every change commits the order row and its event in one transaction (G1): `emit()` on the outbox
 * client writes the outbox row inside `outbox.transaction(...)`; the relay publishes it after the commit.
 */
@Injectable()
export class OrdersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxService,
    @Inject(ORDER_EVENTS_CLIENT) private readonly events: ClientProxy,
  ) {}

  async create(dto: CreateOrderDto): Promise<Order> {
    return this.outbox.transaction(async (manager) => {
      const now = new Date();
      const order = Object.assign(new Order(), {
        id: randomUUID(),
        customerId: dto.customerId,
        amountCents: dto.amountCents,
        status: 'created' as const,
        seq: ORDER_CREATED.seq,
        createdAt: now,
        updatedAt: now,
      });
      // One plain INSERT: TypeORM's insert() builds it through the query builder on every request, a
      // measurable share of the producer's CPU per order (docs/performance.md, write path).
      await manager.query(
        /* sql */ `INSERT INTO orders (id, customer_id, amount_cents, status, seq, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
        [order.id, order.customerId, order.amountCents, order.status, order.seq, now, now],
      );
      if (!ORDER_ROW_ONLY) await this.emit(order, ORDER_CREATED.event, ORDER_CREATED.seq);
      return order;
    });
  }

  async get(id: string): Promise<Order> {
    const order = await this.dataSource.manager.findOneBy(Order, { id });
    if (!order) throw new NotFoundException(`order ${id} not found`);
    return order;
  }

  async apply(id: string, action: OrderAction): Promise<Order> {
    return this.outbox.transaction(async (manager) => {
      // Row lock: two concurrent "pay" calls must not both pass the state check.
      const order = await manager.findOne(Order, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!order) throw new NotFoundException(`order ${id} not found`);
      const transition = transitionFor(action, order.status);
      if (!transition) throw new ConflictException(`cannot ${action} an order that is ${order.status}`);
      order.status = transition.to;
      order.seq = transition.seq;
      order.updatedAt = new Date();
      await manager.update(
        Order,
        { id },
        { status: order.status, seq: order.seq, updatedAt: order.updatedAt },
      );
      await this.emit(order, transition.event, transition.seq);
      return order;
    });
  }

  /** Per-order ordering key: billing sees created → paid → shipped of one order in that order. */
  private async emit(order: Order, type: OrderEventType, seq: number): Promise<void> {
    const record = new OutboxRecordBuilder(orderEvent(order, type, seq)).setKey(order.id).build();
    await lastValueFrom(this.events.emit(type, record));
  }
}
