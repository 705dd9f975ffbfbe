import {
  type CanActivate,
  createParamDecorator,
  type DynamicModule,
  type ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  Module,
  type OnApplicationShutdown,
  SetMetadata,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { DataSource } from 'typeorm';

import { initialiseAndMigrate } from '@pw/persistence';

import type { Scope } from './api-key.util';
import { createIdentityDataSource } from './identity.data-source';
import { IdentityService, type Principal } from './identity.service';

export const IDENTITY_DATA_SOURCE = Symbol('IDENTITY_DATA_SOURCE');
const REQUIRED_SCOPE = 'pw:required-scope';

/** Marks a route as needing an API key with this scope (`admin` keys pass every check). */
export const RequireScope = (scope: Scope) => SetMetadata(REQUIRED_SCOPE, scope);

type AuthenticatedRequest = Request & { principal?: Principal };

/** The authenticated caller, set by ApiKeyGuard. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new UnauthorizedException('missing API key');
  return principal;
});

@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly identity: IdentityService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const scope = this.reflector.getAllAndOverride<Scope | undefined>(REQUIRED_SCOPE, [context.getHandler(), context.getClass()]);
    if (!scope) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) throw new UnauthorizedException('missing API key: send Authorization: Bearer <key>');
    const principal = await this.identity.authenticate(match[1], Date.now());
    if (!principal) throw new UnauthorizedException('unknown or revoked API key');
    if (!principal.scopes.includes(scope) && !principal.scopes.includes('admin')) {
      throw new ForbiddenException(`this key lacks the "${scope}" scope`);
    }
    request.principal = principal;
    return true;
  }
}

@Injectable()
class IdentityDataSourceCloser implements OnApplicationShutdown {
  constructor(@Inject(IDENTITY_DATA_SOURCE) private readonly dataSource: DataSource) {}
  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

@Module({})
export class IdentityModule {
  static forRoot(databaseUrl: (...deps: never[]) => string, inject: unknown[] = []): DynamicModule {
    return {
      module: IdentityModule,
      global: true,
      providers: [
        {
          provide: IDENTITY_DATA_SOURCE,
          inject: inject as never[],
          useFactory: async (...deps: never[]) => {
            const dataSource = createIdentityDataSource(databaseUrl(...deps));
            await initialiseAndMigrate(dataSource);
            return dataSource;
          },
        },
        { provide: IdentityService, inject: [IDENTITY_DATA_SOURCE], useFactory: (ds: DataSource) => new IdentityService(ds) },
        IdentityDataSourceCloser,
        ApiKeyGuard,
      ],
      exports: [IdentityService, ApiKeyGuard],
    };
  }
}
