import 'reflect-metadata';

import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

import { APP_CONFIG, bootstrapHttpService, ProblemDetailsFilter, SERVICE_VERSION, useFastifyJsonBodies } from '@pw/platform';

import { IntakeAppModule } from './app.module';
import type { IntakeConfig } from './config/intake.config';

void bootstrapHttpService(
  'intake',
  IntakeAppModule,
  (app) => app.get<IntakeConfig>(APP_CONFIG).http.port,
  (app) => {
    useFastifyJsonBodies(app, app.get<IntakeConfig>(APP_CONFIG).ingest.maxBodyBytes);
    app.useGlobalFilters(new ProblemDetailsFilter(app.getHttpAdapter()));
    // The API documentation at /docs (JSON at /docs/openapi.json), from the same schemas.
    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('promise-watch intake')
        .setDescription('The only door for interaction events. Schemas: events.md; JSON Schema: libs/contracts/schema/.')
        .setVersion(SERVICE_VERSION)
        .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'an API key with the ingest scope' })
        .build(),
    );
    SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
  },
  { http: 'fastify' },
);
