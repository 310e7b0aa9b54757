{{/* Pod template of a component: .root is the chart context, .component its name, .command its command. */}}
{{- define "stop-probe.pod" -}}
metadata:
  labels:
    app.kubernetes.io/name: stop-probe
    app.kubernetes.io/instance: {{ .root.Release.Name }}
    app.kubernetes.io/component: {{ .component }}
    app.kubernetes.io/part: {{ .part }}
  {{- with .root.Values.podAnnotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  {{- if .job }}
  restartPolicy: Never
  {{- end }}
  containers:
    - name: main
      image: "{{ .root.Values.image.repository }}:{{ .root.Values.image.tag | default .root.Chart.AppVersion }}"
      {{- with .command }}
      command: {{ toJson . }}
      {{- end }}
{{- end }}

{{/* Metadata of a workload: its name and the component label stopComponents selects by. */}}
{{- define "stop-probe.metadata" -}}
metadata:
  name: {{ .part }}
  labels:
    app.kubernetes.io/name: stop-probe
    app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Selector of a workload's pods. */}}
{{- define "stop-probe.selector" -}}
selector:
  matchLabels:
    app.kubernetes.io/instance: {{ .root.Release.Name }}
    app.kubernetes.io/part: {{ .part }}
{{- end }}
