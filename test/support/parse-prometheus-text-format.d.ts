declare module 'parse-prometheus-text-format' {
  /** Prometheus text format → metric families (prom2json's shape). */
  export default function parsePrometheusTextFormat(text: string): unknown;
}
