/** The CDK app (`npm run synth`, `npm run deploy`): builds the layer folders, then the stacks. */
import { App } from 'aws-cdk-lib';
import { buildLayers } from '../../layers/build.ts';
import { defineMarquee } from '../marquee-app.ts';

buildLayers('arm64');
defineMarquee(new App());
