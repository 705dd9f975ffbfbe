import 'reflect-metadata';

import express from 'express';

import { APP_CONFIG, bootstrapHttpService, ProblemDetailsFilter, useJsonBodies } from '@pw/platform';

import { SlaAppModule } from './app.module';
import type { SlaConfig } from './config/sla.config';

void bootstrapHttpService(
  'sla',
  SlaAppModule,
  (app) => app.get<SlaConfig>(APP_CONFIG).http.port,
  (app) => {
    // Configuration documents come as YAML text or JSON.
    (app.getHttpAdapter().getInstance() as express.Express).use(
      express.text({ type: ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/plain'], limit: 1024 * 1024 }),
    );
    useJsonBodies(app, 1024 * 1024);
    app.useGlobalFilters(new ProblemDetailsFilter(app.getHttpAdapter()));
  },
);
