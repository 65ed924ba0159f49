/**
 * Helpers for TradingView's lightweight-charts: colours for each colour scheme, and time in the
 * form the library wants.
 */
import {
  ColorType,
  type ChartOptions,
  type DeepPartial,
  type UTCTimestamp,
} from 'lightweight-charts';

/**
 * lightweight-charts draws every time as UTC. Shifting by the local offset makes the axis and
 * the crosshair read in the viewer's own clock; every time given to a chart goes through here.
 */
export function toChartTime(ms: number): UTCTimestamp {
  const offsetMs = new Date(ms).getTimezoneOffset() * 60_000;
  return Math.floor((ms - offsetMs) / 1000) as UTCTimestamp;
}

export function chartTheme(scheme: 'light' | 'dark'): DeepPartial<ChartOptions> {
  const dark = scheme === 'dark';
  const border = dark ? '#373a40' : '#dee2e6';
  const grid = dark ? '#2c2e33' : '#f1f3f5';
  return {
    layout: {
      background: { type: ColorType.Solid, color: dark ? '#1a1b1e' : '#ffffff' },
      textColor: dark ? '#c1c2c5' : '#495057',
      fontFamily: 'inherit',
    },
    grid: { vertLines: { color: grid }, horzLines: { color: grid } },
    rightPriceScale: { borderColor: border },
    timeScale: { borderColor: border, timeVisible: true, secondsVisible: false },
  };
}

export const CHART_COLORS = {
  up: '#2f9e44',
  down: '#e03131',
  entry: '#1c7ed6',
  ema9: '#f08c00',
  ema21: '#ae3ec9',
  ema50: '#1098ad',
  ema200: '#868e96',
  bollinger: '#74c0fc',
} as const;
