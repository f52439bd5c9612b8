/** The Kubernetes-compatible server lives beside the demo (examples/servers/kube-server.ts); tests import it from here. */
export * from '../../examples/servers/kube-server.ts';
