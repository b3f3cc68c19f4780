// In-memory CloudWatch Logs: log groups of log streams of events sorted by timestamp.

export interface LogEvent {
  timestamp: number;
  message: string;
  ingestionTime: number;
}

export interface LogStream {
  name: string;
  creationTime: number;
  events: LogEvent[];
}

export interface LogGroup {
  name: string;
  creationTime: number;
  streams: Map<string, LogStream>;
}

export class LogsStore {
  readonly groups = new Map<string, LogGroup>();

  createGroup(name: string, creationTime = Date.now()): LogGroup {
    let g = this.groups.get(name);
    if (!g) {
      g = { name, creationTime, streams: new Map() };
      this.groups.set(name, g);
    }
    return g;
  }

  /** Append events to a stream (creating group and stream); events are kept sorted by time. */
  putEvents(
    group: string,
    stream: string,
    events: Array<{ timestamp: number; message: string; ingestionTime?: number }>,
  ): LogStream {
    const g = this.createGroup(group);
    let s = g.streams.get(stream);
    if (!s) {
      const first = events.reduce((m, e) => Math.min(m, e.timestamp), Number.POSITIVE_INFINITY);
      s = { name: stream, creationTime: Number.isFinite(first) ? first : Date.now(), events: [] };
      g.streams.set(stream, s);
    }
    for (const e of events) {
      s.events.push({
        timestamp: e.timestamp,
        message: e.message,
        ingestionTime: e.ingestionTime ?? e.timestamp + 200,
      });
    }
    s.events.sort((a, b) => a.timestamp - b.timestamp);
    return s;
  }

  group(name: string): LogGroup | undefined {
    return this.groups.get(name);
  }

  clear(): void {
    this.groups.clear();
  }
}
