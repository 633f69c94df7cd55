// Neighbours (`ip neigh`) and the bridge FDB (`bridge fdb`): both RTM_*NEIGH with ndmsg + NDA_*
// (<linux/neighbour.h>). The code lives in lib/neigh/; this module is what the handle imports.
export { NeighApi, decodeNeigh } from './neigh/neigh.js';
export { FdbApi, decodeFdb } from './neigh/fdb.js';
export { ndmsg, ndaNeigh, ndaFdb } from './neigh/nda.js';
