import { IsInt, IsString, Min } from 'class-validator';

/*
 * Not re-exported from ./index (which the chaos harness and the benchmarks load): only the consuming
 * and transport specs validate with it.
 */

/** The payload the validation tests' handlers declare: a schema (or ValidationPipe) refuses anything else. */
export class OrderPlaced {
  @IsString()
  orderId: string;

  @IsInt()
  @Min(1)
  amount: number;
}
