// Kuzu 0.11.3, the last release of the engine lbug forked, through the same
// adapter as lbug. Its prebuilt binary needs glibc 2.23, so it runs on
// machines where lbug 0.14.3's binary, which needs glibc 2.38, fails to load.

import { createCypherPeerModule } from './cypher.mjs';

/** @type {import('./contract.mjs').PeerModule} */
export default createCypherPeerModule({ name: 'kuzu', packageName: 'kuzu', engineName: 'Kuzu' });
