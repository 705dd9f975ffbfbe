import 'reflect-metadata';

import { APP_CONFIG, bootstrapHttpService, ProblemDetailsFilter, useJsonBodies } from '@pw/platform';

import { IntakeAppModule } from './app.module';
import type { IntakeConfig } from './config/intake.config';

void bootstrapHttpService(
  'intake',
  IntakeAppModule,
  (app) => app.get<IntakeConfig>(APP_CONFIG).http.port,
  (app) => {
    useJsonBodies(app, app.get<IntakeConfig>(APP_CONFIG).ingest.maxBodyBytes);
    app.useGlobalFilters(new ProblemDetailsFilter());
  },
);
