import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, type HttpServer, HttpStatus, Logger } from '@nestjs/common';

export interface ProblemItem {
  index?: number;
  field: string;
  reason: string;
}

/** An HTTP error answered as RFC 9457 `application/problem+json`, with per-item problems. */
export class ProblemException extends HttpException {
  constructor(
    status: number,
    readonly title: string,
    readonly detail: string,
    readonly problems: ProblemItem[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail, status);
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/**
 * Every error leaves as problem+json; unexpected ones are logged and never leak internals.
 * It answers through the application's HTTP adapter, so it serves Express and Fastify alike.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  constructor(private readonly http: HttpServer) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const context = host.switchToHttp();
    const response: unknown = context.getResponse();
    const request = context.getRequest<{ url?: string }>();
    let status = HttpStatus.INTERNAL_SERVER_ERROR;
    let body: Record<string, unknown>;
    if (exception instanceof ProblemException) {
      status = exception.getStatus();
      for (const [name, value] of Object.entries(exception.headers)) this.http.setHeader(response, name, value);
      body = { type: 'about:blank', title: exception.title, status, detail: exception.detail };
      if (exception.problems.length > 0) body['errors'] = exception.problems;
    } else if (exception instanceof HttpException) {
      status = exception.getStatus();
      const payload = exception.getResponse();
      const detail =
        typeof payload === 'string' ? payload : String((payload as { message?: unknown }).message ?? exception.message);
      body = { type: 'about:blank', title: TITLES[status] ?? 'Error', status, detail };
    } else {
      this.logger.error({ err: exception, path: request.url }, 'unhandled error');
      body = { type: 'about:blank', title: TITLES[500], status, detail: 'an internal error occurred; it has been logged' };
    }
    this.http.setHeader(response, 'content-type', 'application/problem+json; charset=utf-8');
    this.http.reply(response, JSON.stringify(body), status);
  }
}
