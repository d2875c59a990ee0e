{{/* The three services, in one list so every template renders each the same way. */}}
{{- define "pc.services" -}}
frontend backend csvtomdb
{{- end -}}

{{- define "pc.labels" -}}
app.kubernetes.io/part-of: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/version: {{ .values.image.tag | default (trunc 12 (trimPrefix "sha256:" (.values.image.digest | default ""))) | quote }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end -}}

{{- define "pc.selector" -}}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/name: {{ .name }}
{{- end -}}

{{- /*
  The image a release runs: pinned by digest when GitOps sets one (Option A writes the digests
  the build pushed), else by the SHA tag helm-deploy sets. Neither: no render, so a release
  can never silently run a moving tag.
*/}}
{{- define "pc.image" -}}
{{- if .values.image.digest -}}
{{ .values.image.repository }}@{{ .values.image.digest }}
{{- else -}}
{{ .values.image.repository }}:{{ required (printf "%s.image.tag (or .image.digest) is required: the image the build pushed" .name) .values.image.tag }}
{{- end -}}
{{- end -}}
