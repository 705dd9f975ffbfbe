import 'reflect-metadata';

import { APP_CONFIG, bootstrapHttpService, ProblemDetailsFilter, useJsonBodies } from '@pw/platform';

import { NotifierAppModule } from './app.module';
import type { NotifierConfig } from './config/notifier.config';

void bootstrapHttpService(
  'notifier',
  NotifierAppModule,
  (app) => app.get<NotifierConfig>(APP_CONFIG).http.port,
  (app) => {
    useJsonBodies(app, 256 * 1024);
    app.useGlobalFilters(new ProblemDetailsFilter(app.getHttpAdapter()));
  },
);
