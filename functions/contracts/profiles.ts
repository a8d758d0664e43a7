/** Contracts of the audience-profile routes: a user's profile, segments and anomalies. */
import * as z from 'zod';
import { Cursor, Id, limitParam } from './common.ts';
import type { ContractMap } from './types.ts';

const Confidence = z.enum(['normal', 'low']);
const Weighted = z.object({ name: z.string(), weight: z.number() });
const Versions = z.object({ segments: z.string(), anomaly: z.string(), churn: z.string() });
const ShillingAnswer = z
  .object({
    flagged: z.boolean(),
    score: z.number().optional().describe('0..1, most suspicious near 1'),
    reason: z.string().optional().describe('why the account is flagged (flagged accounts only)'),
    pushedItemId: z.string().optional().describe('the item the account helped push'),
    modelVersion: z.string(),
  })
  .describe('the shilling detector: is this account part of a profile-injection attack');

export const Profile = z.object({
  userId: z.string(),
  asOf: z.string(),
  activity: z.object({
    eventCounts: z.record(z.string(), z.number()),
    totalEvents: z.number(),
    playSeconds: z.number(),
    completedSeconds: z.number(),
    completionRate: z.number(),
    activeDays: z.number(),
    distinctItems: z.number(),
    firstSeen: z.number().nullable(),
    lastSeen: z.number().nullable(),
    recencyDays: z.number().nullable(),
    tenureDays: z.number(),
    eventsPerActiveDay: z.number(),
    activeDaysPerWeek: z.number(),
    sessions: z.number(),
    meanSessionMinutes: z.number(),
    eventsLast7Days: z.number(),
    eventsPrevious21Days: z.number(),
  }),
  interests: z.object({
    genres: z.array(Weighted),
    tags: z.array(Weighted),
    themes: z.array(z.string()),
    topItemIds: z.array(z.string()),
  }),
  rhythm: z.object({
    hourShares: z.array(z.number()).describe('share of events per UTC hour, 24 values'),
    dayShares: z.array(z.number()).describe('share of events per weekday, Sunday first'),
    preferredHours: z.array(z.number()),
    preferredDays: z.array(z.string()),
    lateNightShare: z.number(),
    weekendShare: z.number(),
  }),
  spend: z.object({
    purchases: z.number(),
    totalMinor: z.number(),
    tier: z.enum(['none', 'low', 'medium', 'high']),
  }),
  attributes: z.record(z.string(), z.unknown()).optional(),
  segment: z.object({ segmentId: z.string(), label: z.string(), confidence: Confidence }).nullable(),
  anomaly: z
    .object({ score: z.number(), flagged: z.boolean(), threshold: z.number(), confidence: Confidence })
    .nullable(),
  churn: z.object({ probability: z.number(), horizonDays: z.number(), confidence: Confidence }).nullable(),
  lowConfidenceReasons: z.array(z.string()),
  modelVersions: Versions.nullable(),
  shilling: ShillingAnswer.nullable(),
});

export const Segment = z.object({
  segmentId: z.string(),
  label: z.string(),
  size: z.number(),
  share: z.number(),
  traits: z.record(z.string(), z.unknown()),
});

const UserSummary = z.object({
  userId: z.string(),
  segmentId: z.string().optional(),
  segmentLabel: z.string().optional(),
  anomalyScore: z.number().optional(),
  flagged: z.boolean().optional(),
  churnProbability: z.number().optional(),
  lowConfidence: z.boolean(),
  shilling: ShillingAnswer.optional(),
  scoredAt: z.string(),
  modelVersions: Versions,
});

const PushedItem = z.object({
  itemId: z.string(),
  significance: z.number().describe('-ln p of that many suspicious top raters by chance'),
  topRatings: z.number(),
  suspiciousTopRatings: z.number(),
  recentTopRatings: z.number(),
  recentFromFlagged: z.number(),
  collateralItemIds: z.array(z.string()).describe('items the same accounts also push'),
  reason: z.string(),
});

const FlaggedUser = z.object({
  userId: z.string(),
  score: z.number(),
  pushedItemId: z.string(),
  reason: z.string(),
});

export const profilesContracts = {
  getProfile: { params: z.object({ userId: Id }), response: Profile },
  listSegments: {
    query: z.strictObject({}),
    response: z.object({ segments: z.array(Segment), modelVersion: z.string().nullable() }),
  },
  listSegmentUsers: {
    params: z.object({ segmentId: Id }),
    query: z.strictObject({ limit: limitParam(100, 20), cursor: Cursor.optional() }),
    response: z.object({ segment: Segment, users: z.array(UserSummary), cursor: z.string().optional() }),
  },
  listAnomalies: {
    query: z.strictObject({
      minScore: z.coerce
        .number({ error: 'must be a number' })
        .min(0, { error: 'must be at least 0' })
        .max(1, { error: 'must be at most 1' })
        .default(0),
      limit: limitParam(100, 20).describe(
        'most users listed (anomalous users, and flagged shilling accounts)',
      ),
      itemLimit: limitParam(100, 20).describe('most pushed items listed'),
    }),
    response: z.object({
      threshold: z.number().nullable(),
      modelVersion: z.string().nullable(),
      users: z.array(UserSummary),
      shilling: z.object({
        modelVersion: z.string().nullable(),
        pushedItems: z.array(PushedItem),
        flaggedUsers: z.array(FlaggedUser),
      }),
    }),
  },
} satisfies ContractMap;
