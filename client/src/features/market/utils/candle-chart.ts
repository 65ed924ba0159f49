/**
 * The candlestick chart, imperatively: lightweight-charts keeps its own state, so React only tells
 * this object what changed. Every method is a no-op once `dispose` ran, which frees the component
 * from ordering its effect clean-ups around the chart's removal.
 */
import {
  CandlestickSeries,
  createChart,
  createSeriesMarkers,
  LineSeries,
  LineStyle,
  type AutoscaleInfo,
  type CandlestickData,
  type IChartApi,
  type IPriceLine,
  type ISeriesApi,
  type ISeriesMarkersPluginApi,
  type LineData,
  type Time,
  type UTCTimestamp,
} from 'lightweight-charts';

import type { Kline } from '@/features/market/api/getKlines';
import { bollinger, ema } from '@/features/market/utils/indicators';
import { CHART_COLORS, chartTheme, toChartTime } from '@/lib/charts';
import { priceDecimals } from '@/lib/format';

export const EMA_PERIODS = [9, 21, 50, 200] as const;
/** Bars in view on first load; the rest is a scroll away. */
const INITIAL_BARS = 120;

export interface PriceLevel {
  price: number;
  label: string;
  color: string;
}

export interface ChartMarker {
  /** Open time (ms) of the candle to mark. */
  time: number;
  position: 'aboveBar' | 'belowBar';
  shape: 'arrowUp' | 'arrowDown';
  color: string;
  text: string;
}

export interface Overlays {
  ema: boolean;
  bollinger: boolean;
}

type Line = ISeriesApi<'Line'>;

function overlayLine(chart: IChartApi, color: string, dashed = false): Line {
  return chart.addSeries(LineSeries, {
    color,
    lineWidth: 1,
    lineStyle: dashed ? LineStyle.Dashed : LineStyle.Solid,
    priceLineVisible: false,
    lastValueVisible: false,
    crosshairMarkerVisible: false,
  });
}

function linePoints(times: UTCTimestamp[], values: (number | null)[]): LineData[] {
  const points: LineData[] = [];
  values.forEach((value, index) => {
    const time = times[index];
    if (value !== null && time !== undefined) points.push({ time, value });
  });
  return points;
}

export class CandleChart {
  private readonly chart: IChartApi;
  private readonly candles: ISeriesApi<'Candlestick'>;
  private readonly emaLines: Line[];
  private readonly bandLines: Line[];
  private readonly markers: ISeriesMarkersPluginApi<Time>;
  private priceLines: IPriceLine[] = [];
  /** Open time of the last bar drawn. */
  private shownLast: number | null = null;
  private disposed = false;

  constructor(container: HTMLElement) {
    this.chart = createChart(container, { autoSize: true });
    this.candles = this.chart.addSeries(CandlestickSeries, {
      upColor: CHART_COLORS.up,
      downColor: CHART_COLORS.down,
      wickUpColor: CHART_COLORS.up,
      wickDownColor: CHART_COLORS.down,
      borderVisible: false,
    });
    this.emaLines = EMA_PERIODS.map((period) =>
      overlayLine(this.chart, CHART_COLORS[`ema${period}`]),
    );
    this.bandLines = [0, 1, 2].map((band) =>
      overlayLine(this.chart, CHART_COLORS.bollinger, band !== 1),
    );
    this.markers = createSeriesMarkers(this.candles, []);
  }

  setTheme(scheme: 'light' | 'dark'): void {
    if (!this.disposed) this.chart.applyOptions(chartTheme(scheme));
  }

  setTickSize(tickSize: string | null, samplePrice: number): void {
    if (this.disposed) return;
    const precision = priceDecimals(samplePrice, tickSize);
    this.candles.applyOptions({
      priceFormat: { type: 'price', precision, minMove: 10 ** -precision },
    });
  }

  setOverlays({ ema: showEma, bollinger: showBands }: Overlays): void {
    if (this.disposed) return;
    this.emaLines.forEach((line) => {
      line.applyOptions({ visible: showEma });
    });
    this.bandLines.forEach((line) => {
      line.applyOptions({ visible: showBands });
    });
  }

  /**
   * Shows `klines`. The common case, the forming candle moving or one new candle, is an
   * `update` of the last bar; anything else redraws.
   */
  setKlines(klines: Kline[]): void {
    const last = klines.at(-1);
    if (this.disposed || !last) return;
    const times = klines.map((k) => toChartTime(k.t));
    const closes = klines.map((k) => k.c);
    const emaValues = EMA_PERIODS.map((period) => ema(closes, period));
    const bands = bollinger(closes);
    const bandValues = [bands.upper, bands.middle, bands.lower];

    const shown = this.shownLast;
    const appended = shown !== null && klines.at(-2)?.t === shown;
    if (shown !== null && (last.t === shown || appended)) {
      const from = appended ? klines.length - 2 : klines.length - 1;
      for (let i = from; i < klines.length; i++) {
        const kline = klines[i];
        const time = times[i];
        if (!kline || time === undefined) continue;
        this.candles.update(this.bar(kline, time));
        this.emaLines.forEach((line, n) => {
          const value = emaValues[n]?.[i];
          if (value != null) line.update({ time, value });
        });
        this.bandLines.forEach((line, n) => {
          const value = bandValues[n]?.[i];
          if (value != null) line.update({ time, value });
        });
      }
    } else {
      this.candles.setData(klines.map((k, i) => this.bar(k, times[i] ?? toChartTime(k.t))));
      this.emaLines.forEach((line, n) => {
        line.setData(linePoints(times, emaValues[n] ?? []));
      });
      this.bandLines.forEach((line, n) => {
        line.setData(linePoints(times, bandValues[n] ?? []));
      });
      if (shown === null) {
        this.chart.timeScale().setVisibleLogicalRange({
          from: Math.max(0, klines.length - INITIAL_BARS),
          to: klines.length + 3,
        });
      }
    }
    this.shownLast = last.t;
  }

  setLevels(levels: readonly PriceLevel[]): void {
    if (this.disposed) return;
    this.priceLines.forEach((line) => {
      this.candles.removePriceLine(line);
    });
    // Keep the levels in view: a stop-loss off the price scale is no use.
    const prices = levels.map((level) => level.price);
    this.candles.applyOptions({
      autoscaleInfoProvider: (original: () => AutoscaleInfo | null) => {
        const info = original();
        if (!info?.priceRange || prices.length === 0) return info;
        const { minValue, maxValue } = info.priceRange;
        return {
          ...info,
          priceRange: {
            minValue: Math.min(minValue, ...prices),
            maxValue: Math.max(maxValue, ...prices),
          },
        };
      },
    });
    this.priceLines = levels.map((level) =>
      this.candles.createPriceLine({
        price: level.price,
        color: level.color,
        lineWidth: 1,
        lineStyle: LineStyle.Dashed,
        axisLabelVisible: true,
        title: level.label,
      }),
    );
  }

  setMarker(marker: ChartMarker | null): void {
    if (this.disposed) return;
    this.markers.setMarkers(
      marker
        ? [
            {
              time: toChartTime(marker.time),
              position: marker.position,
              shape: marker.shape,
              color: marker.color,
              text: marker.text,
            },
          ]
        : [],
    );
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.chart.remove();
  }

  private bar(kline: Kline, time: UTCTimestamp): CandlestickData {
    return { time, open: kline.o, high: kline.h, low: kline.l, close: kline.c };
  }
}
