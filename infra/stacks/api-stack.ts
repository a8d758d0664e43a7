import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  HttpApi,
  CorsHttpMethod,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import {
  acceptedScopes,
  fallbackFunction,
  type FunctionId,
  oauthScope,
  routeKey,
  routes,
  SERVICE_SCOPES,
} from '#platform/declaration.ts';
import { pascalCase } from '../constructs/declared-table.ts';
import { wireDeclaredEvents } from '../declared-events.ts';
import { createDeclaredFunctions, functionFor, type MarqueeFunctions } from '../declared-functions.ts';
import type { DeclaredResources } from '../declared-resources.ts';
import type { MarqueeSettings } from '../settings.ts';

export interface ApiStackProps extends StackProps {
  settings: MarqueeSettings;
  resources: DeclaredResources;
  functions: MarqueeFunctions;
}

// One JSON line per request; HTTP APIs support only these $context variables.
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  latencyMs: '$context.responseLatency',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
  subject: '$context.authorizer.claims.sub',
};

/**
 * The HTTP API: every declared route, each behind the JWT authorizer and the OAuth scope its
 * declaration names, plus the functions that only serve HTTP.
 */
export class ApiStack extends Stack {
  readonly httpApi: HttpApi;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { settings } = props;
    createDeclaredFunctions(this, 'api', props, props.functions);
    // Stream triggers of functions that live here (experiment counters).
    wireDeclaredEvents(this, props.functions, props.resources);

    this.httpApi = new HttpApi(this, 'HttpApi', {
      apiName: `marquee-${settings.stage}`,
      description: 'Marquee: recommendations, audience profiles and video processing',
      createDefaultStage: false,
      // Browsers send the token in Authorization, which needs a preflight; only named origins get one.
      ...(settings.apiCorsOrigins.length === 0
        ? {}
        : {
            corsPreflight: {
              allowOrigins: settings.apiCorsOrigins,
              allowMethods: [...new Set(routes.map((route) => CorsHttpMethod[route.method]))],
              allowHeaders: ['authorization', 'content-type'],
              maxAge: Duration.hours(1),
            },
          }),
    });
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: settings.logRetentionDays as RetentionDays,
    });
    const stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: settings.apiRateLimit, burstLimit: settings.apiBurstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });
    // Routes that cost much more than a read get a limit of their own, under the stage's.
    (stage.node.defaultChild as CfnStage).routeSettings = Object.fromEntries(
      routes
        .filter((route) => route.throttle)
        .map((route) => [
          routeKey(route),
          // Raw CloudFormation JSON (the L1 property is untyped): PascalCase keys.
          { ThrottlingRateLimit: route.throttle!.rate, ThrottlingBurstLimit: route.throttle!.burst },
        ]),
    );

    const authorizer = new HttpJwtAuthorizer('JwtAuthorizer', settings.jwtIssuer, {
      jwtAudience: settings.jwtAudience,
    });
    const integrations = new Map<FunctionId, HttpLambdaIntegration>();
    const integrationFor = (fnId: FunctionId): HttpLambdaIntegration => {
      let integration = integrations.get(fnId);
      if (!integration) {
        integration = new HttpLambdaIntegration(
          `${pascalCase(fnId)}Integration`,
          // The alias: what retrain moves when it puts new models live.
          functionFor(props.functions, fnId).live,
        );
        integrations.set(fnId, integration);
      }
      return integration;
    };
    for (const route of routes) {
      const [httpRoute] = this.httpApi.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: integrationFor(route.function),
        authorizer,
        // A token with any one of these gets through; the function's edge limits `self` to its owner.
        authorizationScopes: acceptedScopes(route).map((scope) => oauthScope(scope, settings.jwtScopePrefix)),
      });
      if (!httpRoute) throw new Error(`No route created for ${routeKey(route)}`);
    }
    // Unmatched paths and methods reach the fallback function, which answers problem+json 404/405
    // (API Gateway's own answer would be a bare {"message":"Not Found"}).
    new HttpRoute(this, 'DefaultRoute', {
      httpApi: this.httpApi,
      routeKey: HttpRouteKey.DEFAULT,
      integration: integrationFor(fallbackFunction),
      authorizer,
      authorizationScopes: SERVICE_SCOPES.map((scope) => oauthScope(scope, settings.jwtScopePrefix)),
    });
    new CfnOutput(this, 'ApiUrl', {
      value: this.httpApi.apiEndpoint,
      description: 'Base URL of the HTTP API',
    });
  }
}
