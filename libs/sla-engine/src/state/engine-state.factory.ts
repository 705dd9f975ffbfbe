import { STATE_VERSION } from './engine-state.type';

import type { ConversationState, CustomerState } from './engine-state.type';

export function newConversationState(tenant: string, id: string, customerId: string): ConversationState {
  return {
    entity: 'conversation',
    version: STATE_VERSION,
    tenant,
    id,
    customerId,
    channel: null,
    priority: 'normal',
    team: null,
    tags: [],
    status: 'open',
    policy: null,
    policyRevision: null,
    contactedAt: null,
    acknowledgementSince: null,
    firstResponseSince: null,
    nextResponseSince: null,
    periodicUpdateSince: null,
    resolutionSince: null,
    cycles: { acknowledgement: 0, first_response: 0, next_response: 0, periodic_update: 0, resolution: 0 },
    clocks: [],
    commitments: [],
    transfers: 0,
    transferLimitReported: false,
    listedActive: false,
    nextDueAt: null,
  };
}

export function newCustomerState(tenant: string, id: string, firstSeenAt: number): CustomerState {
  return {
    entity: 'customer',
    version: STATE_VERSION,
    tenant,
    id,
    segment: null,
    firstSeenAt,
    lastPublicReplyAt: null,
    silenceReportedSince: null,
    silenceDueAt: null,
    brokenCommitments: [],
    activeConversations: [],
    nextDueAt: null,
  };
}
