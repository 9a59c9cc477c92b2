# omsbox as a container: a static binary on an empty image. Build it with
# `make image` (which compiles bin/omsbox first; no base image is pulled).
FROM scratch
COPY bin/omsbox /omsbox
# Not root.
USER 65534:65534
ENV OMSBOX_ADDR=0.0.0.0:8080
EXPOSE 8080
HEALTHCHECK --interval=2s --timeout=2s --start-period=2s CMD ["/omsbox", "healthcheck"]
LABEL org.opencontainers.image.title="omsbox" \
      org.opencontainers.image.description="Local sandbox of the VTEX OMS and SkyHub APIs"
ENTRYPOINT ["/omsbox"]
CMD ["serve"]
