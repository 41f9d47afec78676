import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import {
  InjectMessagingOptions,
  OutboxService,
  ResolvedMessagingOptions,
  topologyNames,
} from '@app/messaging';
import { ORDER_ROW_ONLY } from '../order-row-only';
import type { CreateOrderDto } from './create-order.dto';
import { Order } from './order.entity';
import { ORDER_EVENTS_STREAM, orderEvent } from './order-events';
import { ORDER_CREATED, OrderAction, OrderEventType, transitionFor } from './order-state-machine';

/** Every change commits the order row and its event in one transaction (G1). */
@Injectable()
export class OrdersService {
  private readonly eventsExchange: string;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxService,
    @InjectMessagingOptions() options: ResolvedMessagingOptions,
  ) {
    this.eventsExchange = topologyNames(options.topology.prefix).orderedExchange(ORDER_EVENTS_STREAM);
  }

  async create(dto: CreateOrderDto): Promise<Order> {
    return this.dataSource.transaction(async (manager) => {
      const now = new Date();
      const order = manager.create(Order, {
        id: randomUUID(),
        customerId: dto.customerId,
        amountCents: dto.amountCents,
        status: 'created',
        seq: ORDER_CREATED.seq,
        createdAt: now,
        updatedAt: now,
      });
      await manager.insert(Order, order);
      if (!ORDER_ROW_ONLY) await this.emit(manager, order, ORDER_CREATED.event, ORDER_CREATED.seq);
      return order;
    });
  }

  async get(id: string): Promise<Order> {
    const order = await this.dataSource.manager.findOneBy(Order, { id });
    if (!order) throw new NotFoundException(`order ${id} not found`);
    return order;
  }

  async apply(id: string, action: OrderAction): Promise<Order> {
    return this.dataSource.transaction(async (manager) => {
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
      await this.emit(manager, order, transition.event, transition.seq);
      return order;
    });
  }

  private async emit(manager: EntityManager, order: Order, type: OrderEventType, seq: number): Promise<void> {
    await this.outbox.add(manager, {
      exchange: this.eventsExchange,
      routingKey: type,
      key: order.id,
      payload: orderEvent(order, type, seq),
    });
  }
}
