import type { RiskLimitsInput } from '@/features/trading/api/mutations';
import type { RiskLimits } from '@/features/trading/api/trading';

export type RiskField = keyof RiskLimitsInput;

export const RISK_FIELDS: { name: RiskField; label: string; integer: boolean; max?: number }[] = [
  { name: 'max_leverage', label: 'Max leverage (x)', integer: true, max: 125 },
  { name: 'max_position_notional', label: 'Max position (USDT)', integer: false },
  { name: 'max_total_notional', label: 'Max total (USDT)', integer: false },
  { name: 'max_open_positions', label: 'Max open positions', integer: true, max: 1000 },
  { name: 'max_orders_per_minute', label: 'Max orders / minute', integer: true, max: 1200 },
  { name: 'daily_loss_limit', label: 'Daily loss limit (USDT, empty: off)', integer: false },
];

export function riskFormOf(risk: RiskLimits): Record<RiskField, string> {
  return {
    max_leverage: String(risk.maxLeverage),
    max_position_notional: risk.maxPositionNotional,
    max_total_notional: risk.maxTotalNotional,
    max_open_positions: String(risk.maxOpenPositions),
    max_orders_per_minute: String(risk.maxOrdersPerMinute),
    daily_loss_limit: risk.dailyLossLimit ?? '',
  };
}

/** The checks of the API's serializer, so most mistakes never make a request. */
export function riskLimitsCheck(
  form: Record<RiskField, string>,
):
  | { limits: RiskLimitsInput; errors: null }
  | { limits: null; errors: Partial<Record<RiskField, string>> } {
  const errors: Partial<Record<RiskField, string>> = {};
  for (const { name, integer, max } of RISK_FIELDS) {
    const text = form[name].trim();
    if (name === 'daily_loss_limit' && text === '') continue;
    if (integer) {
      if (!/^\d+$/.test(text) || Number(text) < 1 || (max !== undefined && Number(text) > max)) {
        errors[name] = `A whole number from 1 to ${max}.`;
      }
    } else if (!/^\d+(\.\d+)?$/.test(text) || Number(text) <= 0) {
      errors[name] = 'A positive amount.';
    }
  }
  if (Object.keys(errors).length > 0) return { limits: null, errors };
  return {
    errors: null,
    limits: {
      max_leverage: Number(form.max_leverage),
      max_position_notional: form.max_position_notional.trim(),
      max_total_notional: form.max_total_notional.trim(),
      max_open_positions: Number(form.max_open_positions),
      max_orders_per_minute: Number(form.max_orders_per_minute),
      daily_loss_limit: form.daily_loss_limit.trim() || null,
    },
  };
}
