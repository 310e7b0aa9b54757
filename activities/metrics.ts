/**
 * Every activity attempt counted, and every failure by its type, in Styrmin's series beside the
 * SDK's (exported on /metrics with STYRMIN_HTTP_PORT): which primitive fails, and how, is the
 * first thing an operator looks for.
 */
import type { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { ActivityInboundCallsInterceptor, ActivityInterceptorsFactory } from '@temporalio/worker';
import { primitiveAttemptsMetric, primitiveFailuresMetric } from '../contract/metrics.js';

/** The failure type a series names: the ApplicationFailure's type, `Cancelled`, or the error's name. */
function failureType(err: unknown): string {
  if (err instanceof ApplicationFailure) return err.type ?? 'ApplicationFailure';
  if (err instanceof CancelledFailure) return 'Cancelled';
  return err instanceof Error ? err.name : 'Error';
}

class PrimitiveMetrics implements ActivityInboundCallsInterceptor {
  constructor(private readonly ctx: Context) {}

  async execute(...[input, next]: Parameters<NonNullable<ActivityInboundCallsInterceptor['execute']>>) {
    const { metricMeter, info } = this.ctx;
    const primitive = info.activityType;
    metricMeter
      .createCounter(primitiveAttemptsMetric, 'attempts', 'Attempts of each primitive (activity)')
      .withTags({ primitive })
      .add(1);
    try {
      return await next(input);
    } catch (err) {
      metricMeter
        .createCounter(primitiveFailuresMetric, 'attempts', 'Failed attempts of each primitive, by failure type')
        .withTags({ primitive, failure_type: failureType(err) })
        .add(1);
      throw err;
    }
  }
}

/** The worker's activity interceptor that keeps these series. */
export const primitiveMetrics: ActivityInterceptorsFactory = (ctx) => ({ inbound: new PrimitiveMetrics(ctx) });
