// lbug (Ladybug), the maintained fork of the Kuzu embedded graph database.
// It is not installed by default, because the prebuilt binary of lbug 0.14.3
// needs glibc 2.38; `npm install --prefix bench/peers --no-save lbug@0.14.3`
// adds it where it loads.
//
// NOTE: the adapter has only run against Kuzu 0.11.3, so its results, load
// path and full-text detection are unverified on lbug itself.

import { createCypherPeerModule } from './cypher.mjs';

/** @type {import('./contract.mjs').PeerModule} */
export default createCypherPeerModule({ name: 'lbug', packageName: 'lbug', engineName: 'lbug' });
