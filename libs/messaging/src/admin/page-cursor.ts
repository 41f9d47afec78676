import { Injectable, PipeTransform } from '@nestjs/common';

/** Rows of the audit and scheduled pages per page. */
export const PAGE_SIZE = 50;

/** A row id as the tables hold it (BIGINT UNSIGNED, from 1). */
export const ROW_ID = /^[1-9]\d{0,18}$/;

/** A page's `before` cursor as a row id; anything else (a hand-edited URL) shows the first page, not a 400. */
@Injectable()
export class RowCursorPipe implements PipeTransform<string | undefined, string | undefined> {
  transform(value: string | undefined): string | undefined {
    return value && ROW_ID.test(value) ? value : undefined;
  }
}
