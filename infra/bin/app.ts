/** The CDK app (`npm run synth`, `npm run deploy`): builds the layer folders, then the stacks. */
import { App } from 'aws-cdk-lib';
import { buildLayers, type LayerArchitecture } from '../../layers/build.ts';
import { LAMBDA_ARCHITECTURE } from '../constructs/marquee-function.ts';
import { defineMarquee } from '../marquee-app.ts';

buildLayers(LAMBDA_ARCHITECTURE.name as LayerArchitecture);
defineMarquee(new App());
