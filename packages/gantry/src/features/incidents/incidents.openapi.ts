import { z } from 'zod';
import { defineOperations } from '../../platform/openapi/openapi-registry.js';
import {
  incidentDtoSchema,
  incidentIdSchema,
  incidentPageDtoSchema,
  linkIncidentSchema,
  listIncidentsQuerySchema,
  openIncidentSchema,
  resolveIncidentSchema,
} from './incidents.dto.js';

const idParams = z.object({ id: incidentIdSchema });

/** The routes of IncidentsController, for /api/openapi.json. */
export const incidentOperations = defineOperations([
  {
    method: 'GET',
    path: '/api/v1/incidents',
    operationId: 'listIncidents',
    summary: 'List incidents, newest first',
    tag: 'incidents',
    requiredRole: 'viewer',
    query: listIncidentsQuerySchema,
    responses: { 200: incidentPageDtoSchema },
  },
  {
    method: 'POST',
    path: '/api/v1/incidents',
    operationId: 'openIncident',
    summary: 'Open an incident by hand (from a source other than Alertmanager)',
    description:
      'Linked to the given promotion, or, when a stage is given, to the latest promotion into it. An incident opened by hand never rolls back by itself; use POST /api/v1/rollbacks.',
    tag: 'incidents',
    requiredRole: 'deployer',
    requestBody: openIncidentSchema,
    responses: { 201: incidentDtoSchema },
    errors: [403, 404],
  },
  {
    method: 'GET',
    path: '/api/v1/incidents/:id',
    operationId: 'getIncident',
    summary: 'One incident, with what Gantry did about its promotion',
    tag: 'incidents',
    requiredRole: 'viewer',
    params: idParams,
    responses: { 200: incidentDtoSchema },
    errors: [404],
  },
  {
    method: 'POST',
    path: '/api/v1/incidents/:id/resolve',
    operationId: 'resolveIncident',
    summary: 'Resolve an open incident',
    tag: 'incidents',
    requiredRole: 'deployer',
    params: idParams,
    requestBody: resolveIncidentSchema,
    responses: { 200: incidentDtoSchema },
    errors: [403, 404, 409],
  },
  {
    method: 'POST',
    path: '/api/v1/incidents/:id/link',
    operationId: 'linkIncident',
    summary: 'Link an incident to the promotion that caused it',
    description:
      'Replaces an earlier link; the promotion must be of the service and stage the incident is about.',
    tag: 'incidents',
    requiredRole: 'deployer',
    params: idParams,
    requestBody: linkIncidentSchema,
    responses: { 200: incidentDtoSchema },
    errors: [403, 404],
  },
]);
