/** The Argo-CD-compatible server lives beside the demo (examples/servers/argocd-server.ts); tests import it from here. */
export * from '../../examples/servers/argocd-server.ts';
